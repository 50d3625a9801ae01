"""dex-store: the ExecutionStore protocol, its errors, configuration and the store registry"""
