"""dex-runner: the emulated durable execution service and the local test runner"""
