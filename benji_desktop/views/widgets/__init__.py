"""Small widgets shared by every tab and dialog."""
