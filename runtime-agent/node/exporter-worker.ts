// placeholder: the agent's exporter worker
