import time
from tests.slack.answers import Recorder
from tests.slack import payloads as p

def test_smoke(fake_slack, settings, run_bot):
    """smoke"""
    rec = Recorder()
    t0 = time.monotonic()
    bot = run_bot(settings, rec)
    t1 = time.monotonic()
    env = fake_slack.send("events_api", p.event_callback(p.mention("Vad ska FoU Nordost göra?")))
    posts = fake_slack.wait_calls("chat.postMessage")
    print("start", t1 - t0, "answer", posts[0].at - env.sent_at, "ack", fake_slack.ack(env.envelope_id).at - env.sent_at)
    print(posts[0].params)
    print([ (c.method, c.ok) for c in fake_slack.calls()])
    t2 = time.monotonic()
    bot.stop()
    print("stop", time.monotonic() - t2)
