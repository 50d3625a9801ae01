"""A server on a filesystem store takes up what an earlier server left running."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_durable_execution_sdk_python import durable_execution
from dex_server import DexServer
from dex_server_helpers import lambda_client, wait_ended, wait_for_callback_id
from dex_store_filesystem import FilesystemExecutionStore


def approval(event: Any, context: Any) -> Any:
    answer = context.wait_for_callback(lambda callback_id, _: None, name="approve")
    return {"answer": answer}


def _serve(store: FilesystemExecutionStore) -> DexServer:
    server = DexServer(store).start()
    handler = durable_execution(approval, boto3_client=lambda_client(server.url))
    server.add_handler("approve", handler)
    return server


def test_a_callback_answered_after_a_restart_completes_the_execution(
    tmp_path: Path,
) -> None:
    first_store = FilesystemExecutionStore(tmp_path / "store")
    first = _serve(first_store)
    client = lambda_client(first.url)
    arn = client.invoke(FunctionName="approve", InvocationType="Event", Payload=b"{}")[
        "DurableExecutionArn"
    ]
    callback_id = wait_for_callback_id(client, arn)
    before = client.get_durable_execution(DurableExecutionArn=arn)
    first.close()
    first_store.close()

    second_store = FilesystemExecutionStore(tmp_path / "store")
    second = _serve(second_store)
    try:
        client = lambda_client(second.url)
        client.send_durable_execution_callback_success(
            CallbackId=callback_id, Result=b"yes"
        )
        execution = wait_ended(client, arn)
    finally:
        second.close()
        second_store.close()

    assert before["Status"] == "RUNNING"
    assert execution["Status"] == "SUCCEEDED"
    assert execution["Result"] == '{"answer": "yes"}'
