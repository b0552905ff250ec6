// placeholder: language server entry
