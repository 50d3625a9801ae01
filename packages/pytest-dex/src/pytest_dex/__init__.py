"""pytest-dex: the durable_runner fixture and the durable_execution marker"""
