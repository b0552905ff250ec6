// placeholder: inspector webview entry
