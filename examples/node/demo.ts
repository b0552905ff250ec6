// placeholder: demo workload
