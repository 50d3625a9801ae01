"""dex-store-memory: the in-memory execution store (the default)"""
