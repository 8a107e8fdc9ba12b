"""The Slack layer: a thin Bolt app around an answering function.

Entry points for the CLI:

- ``run_serve(settings, answer_fn, health_fn=None, snapshot_fn=None) -> int`` for
  ``python -m bot serve`` (``snapshot_fn`` gives the index version in use, for the App Home)
- ``run_health(settings, health_fn) -> int`` for ``python -m bot health``
- ``build_app(settings, answer_fn, client=None) -> slack_bolt.App`` for embedding and tests
- ``start_bot(settings, answer_fn, health_fn=None) -> RunningBot`` to serve in the background
"""

from bot.slack.app import build_app
from bot.slack.serve import RunningBot, SlackStartupError, run_health, run_serve, start_bot

__all__ = ["RunningBot", "SlackStartupError", "build_app", "run_health", "run_serve", "start_bot"]
