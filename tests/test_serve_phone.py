"""The phone you carry as `treadmill serve`'s motion sensor: its page, its socket, the session that hears it.

These talk to the server as the page does (aiohttp), so they run without a browser; the
browser's own path, with Chromium's sensors overridden, is in test_serve_motion_browser.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.browser import Served, start_serve
from tests.test_serve import fetch
from treadmill.model import LinkEventKind, Sensor
from treadmill.phone.reading import MotionReading
from treadmill.storage.fixtures import read_fixture
from tui.web.guard import ConnectionGuard
from tui.web.motion import ANOTHER_PHONE
from tui.web.server import ServeOptions, SessionServer, serve

WAIT_S = 60.0
READING = MotionReading((1.5, -2.0, 0.25), (0.5, 9.75, 0.125), (10.0, 80.0, -2.0))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    serving = start_serve(["--virtual", "--plan", "first-steps-backward", "--time-scale", "5"], tmp_path)
    try:
        yield serving
    finally:
        serving.stop()


def ws_base(served: Served) -> str:
    return served.base.replace("http", "ws", 1)


async def told(socket: aiohttp.ClientWebSocketResponse) -> dict[str, int]:
    """The server's next word to the page (readings received, sessions listening)."""
    message = await socket.receive(timeout=WAIT_S)
    assert message.type is aiohttp.WSMsgType.TEXT, message
    answer = message.json()
    assert isinstance(answer, dict)
    return answer


def test_the_sensor_page_needs_the_token_and_then_drops_it(served: Served) -> None:
    for path in ("/motion", "/motion?token=wrong", "/motion/ws"):
        status, body, _ = fetch(served.base + path)
        assert status == 403, path
        assert "needs its key" in body
    status, _, headers = fetch(served.motion_url)
    assert status == 303
    assert headers["Location"] == "/motion", "the token leaves the address bar"
    status, page, headers = fetch(served.base + "/motion", cookie=f"treadmill_token={served.token}")
    assert status == 200
    assert "Start" in page, "one tap to start"
    assert "devicemotion" in page
    assert "wakeLock" in page
    assert headers["Cache-Control"] == "no-store"


async def test_readings_reach_the_session_and_its_recording_and_garbage_does_not(served: Served) -> None:
    cookies = {"treadmill_token": served.token}
    reading = json.dumps(READING.to_json())
    async with (
        aiohttp.ClientSession(cookies=cookies) as client,
        client.ws_connect(ws_base(served) + "/ws") as console,  # the tablet starts the session
    ):
        assert await console.receive_bytes(timeout=WAIT_S)
        async with client.ws_connect(ws_base(served) + "/motion/ws?id=pocket") as phone:
            while (await told(phone))["apps"] < 1:  # said every second: until the session listens
                continue
            for junk in ("not json", "[]", '{"rotation_dps": [1, 2]}', '{"rotation_dps": [0, 0, 1e9]}'):
                await phone.send_str(junk)
            for _ in range(40):
                await phone.send_str(reading)
            while (await told(phone))["received"] < 40:
                continue
    printed = served.stop()
    assert served.token not in printed, "nothing logs the key"
    [recording] = served.recordings()
    fixture = read_fixture(recording)
    motion = [f for f in fixture.frames if f.src is Sensor.PHONE]
    assert len(motion) == 40, "the readings the session heard are in its recording"
    assert {MotionReading.from_bytes(f.data) for f in motion} == {
        MotionReading.from_json(READING.to_json())
    }, "exactly what was sent, and no garbage"
    phone_events = [e.kind for e in fixture.events if e.src is Sensor.PHONE]
    assert phone_events[0] is LinkEventKind.CONNECTED
    assert LinkEventKind.DISCONNECTED in phone_events, "the page going is recorded"


async def test_one_phone_is_the_sensor_and_the_same_page_takes_its_place_back(served: Served) -> None:
    cookies = {"treadmill_token": served.token}
    async with aiohttp.ClientSession(cookies=cookies) as client:
        first = await client.ws_connect(ws_base(served) + "/motion/ws?id=first")
        assert (await told(first))["received"] == 0
        second = await client.ws_connect(ws_base(served) + "/motion/ws?id=second")
        message = await second.receive(timeout=WAIT_S)
        assert message.type is aiohttp.WSMsgType.CLOSE
        assert second.close_code == ANOTHER_PHONE, "the second page is told another phone is the sensor"
        again = await client.ws_connect(ws_base(served) + "/motion/ws?id=first")  # its Wi-Fi wavered
        assert "received" in await told(again), "the same page is the sensor again at once"
        message = await first.receive(timeout=WAIT_S)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), "its ghost is closed"
        await again.close()
        third = await client.ws_connect(ws_base(served) + "/motion/ws?id=second")
        assert "received" in await told(third), "once the sensor page is gone, another may take over"
        await third.close()


async def test_a_sensor_socket_from_another_origin_is_refused(served: Served) -> None:
    cookies = {"treadmill_token": served.token}
    async with aiohttp.ClientSession(cookies=cookies) as client:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(
                ws_base(served) + "/motion/ws?id=x", headers={"Origin": "https://evil.example"}
            )
    assert refused.value.status == 403


async def test_the_sensor_socket_outlives_a_plain_requests_deadline() -> None:
    """A connection that is not a websocket is closed after its deadline; the sensor's is not."""
    server = SessionServer(ServeOptions(["true"], port=0))
    server.guard = ConnectionGuard(request_within_s=1.0)
    bound: asyncio.Queue[str] = asyncio.Queue()
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(server, lambda url, _motion: bound.put_nowait(url), stop))
    try:
        base = (await bound.get()).split("/?", 1)[0].replace("http", "ws", 1)
        async with (
            aiohttp.ClientSession(cookies={"treadmill_token": server.token}) as client,
            client.ws_connect(base + "/motion/ws?id=pocket") as phone,
        ):
            for _ in range(3):  # said once a second: the last comes past the 1 s deadline
                assert "received" in await told(phone)
    finally:
        stop.set()
        await serving


async def test_a_virtual_runners_phone_is_the_only_phone(tmp_path: Path) -> None:
    """serve --virtual --phone: the runner carries its phone; a sensor page finds no session
    listening (two streams of readings would make one heading of both)."""
    served = start_serve(["--virtual", "--plan", "first-steps-backward", "--phone"], tmp_path)
    try:
        cookies = {"treadmill_token": served.token}
        async with (
            aiohttp.ClientSession(cookies=cookies) as client,
            client.ws_connect(ws_base(served) + "/ws") as console,
        ):
            assert await console.receive_bytes(timeout=WAIT_S)
            async with client.ws_connect(ws_base(served) + "/motion/ws?id=pocket") as phone:
                for _ in range(4):  # a second apart, while the session runs: nobody listens
                    assert (await told(phone))["apps"] == 0
    finally:
        served.stop()
    [recording] = served.recordings()
    motion = [f for f in read_fixture(recording).frames if f.src is Sensor.PHONE]
    assert motion, "the runner's own phone"
    span = motion[-1].t - motion[0].t
    assert len(motion) / span <= 21.0, "one phone's 20 a second, not two"
