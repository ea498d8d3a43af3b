"""Item pipelines, one concern each, ordered in settings.ITEM_PIPELINES."""
