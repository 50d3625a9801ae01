"""dex-store-filesystem: one formatted JSON file per execution, with an index"""
