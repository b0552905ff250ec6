// placeholder: VS Code extension entry
