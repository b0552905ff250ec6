// placeholder: VS Code test entry
