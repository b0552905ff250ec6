// placeholder: the Node agent preload
