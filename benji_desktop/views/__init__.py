"""The desktop window: PySide6 + qasync, the only layer that imports Qt."""
