"""dex-server: the Lambda durable execution API over HTTP, serving the emulated service."""
