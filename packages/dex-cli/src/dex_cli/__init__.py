"""dex-cli: the dex command: run, list, show, validate, clean"""
