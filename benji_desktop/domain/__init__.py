"""Plain data shared by every layer: entity types, the event catalogue, masking, environments."""
