"""Store: what an entity sells besides tickets — digital and physical products, and drops."""
