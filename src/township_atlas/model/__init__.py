"""The township's data model: layers and fields (schema), the loaded Bundle, target status."""
