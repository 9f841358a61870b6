"""Past the limit, an import upload is refused before the service reads a byte of its body."""

import asyncio
import json

from app.api.upload_gate import UploadGate


def test_an_upload_past_the_limit_is_told_429_before_its_body_is_read():
    async def scenario():
        release, entered, read = asyncio.Event(), asyncio.Event(), []

        async def app(scope, receive, send):  # stands in for the route: holds its upload until released
            entered.set()
            await release.wait()
            await send({"type": "http.response.start", "status": 202, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        gate = UploadGate(app, max_uploads=1)
        scope = {"type": "http", "method": "POST", "path": "/v1/imports", "headers": []}

        async def receive():
            read.append(1)
            return {"type": "http.request", "body": b"x", "more_body": False}

        first_sent, second_sent = [], []

        async def send_to(box):
            async def send(message):
                box.append(message)

            return send

        first = asyncio.create_task(gate(scope, receive, await send_to(first_sent)))
        await entered.wait()
        await gate(scope, receive, await send_to(second_sent))
        assert second_sent[0]["status"] == 429 and not read
        headers = dict(second_sent[0]["headers"])
        assert headers[b"retry-after"] == b"5"
        assert json.loads(second_sent[1]["body"])["error"]["code"] == "too_many_uploads"
        release.set()
        await first
        assert first_sent[0]["status"] == 202
        third = []
        release.set()
        await gate(scope, receive, await send_to(third))  # the slot was given back
        assert third[0]["status"] == 202

    asyncio.run(scenario())
