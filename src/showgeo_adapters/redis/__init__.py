from showgeo_adapters.redis.entity_cache import RedisEntityCache

__all__ = ["RedisEntityCache"]
