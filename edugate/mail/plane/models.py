"""No models: the plane owns SQL views, not tables. This module exists so that Django sends
this app the pre_migrate and post_migrate signals (it skips apps without a models module),
which drop the views before every ``migrate`` and create them again after it (``schema``)."""
