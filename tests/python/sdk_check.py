"""Parses Aerie's answers with the Python `atproto` SDK (pinned in requirements.txt), the
library most bots use: logs in at Aerie as a PDS-like "hosting provider" (its session tokens
must be JWTs the SDK can read), then makes each call of a plan with the SDK's own method, which
validates the answer into the SDK's strict models. Prints one JSON line per call and exits
non-zero if any failed.

Usage: python sdk_check.py <aerie url> <handle> <password> <plan.json>
plan.json: [{"nsid": "app.bsky.feed.getTimeline", "params": {...}}, ...]
"""

import json
import re
import sys

from atproto import Client


def method(client, nsid):
    """The SDK's method for an NSID: app.bsky.feed.getTimeline → client.app.bsky.feed.get_timeline."""
    *path, name = nsid.split('.')
    target = client
    for part in path:
        target = getattr(target, part)
    return getattr(target, re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower())


def main():
    base, handle, password, plan_path = sys.argv[1:5]
    client = Client(base_url=base)
    client.login(handle, password)
    print(json.dumps({'login': client.me.handle}))
    with open(plan_path) as f:
        plan = json.load(f)
    failed = 0
    for step in plan:
        try:
            params = step.get('params')
            call = method(client, step['nsid'])
            # Methods without parameters take none.
            call(params) if params else call()
            print(json.dumps({'nsid': step['nsid'], 'ok': True}))
        except Exception as e:  # noqa: BLE001 — every failure is reported, none stops the run
            failed += 1
            print(json.dumps({'nsid': step['nsid'], 'ok': False, 'error': f'{type(e).__name__}: {e}'[:2000]}))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
