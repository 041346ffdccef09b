"""Carrier accounts, labels and tracking through karrio's carrier extensions.

Which carriers have labels, and which credentials an account needs, is in the one carrier
table (`shipdesk.shipping.carriers`, `Carrier.karrio`). Layers, after karrio's own split:
`gateway` (the only module that talks to karrio: it sends and returns typed results plus
messages),
`mapping` (pure functions: orders to karrio requests, karrio results to shipdesk's), and
`services` (rates, buy / void a label, tracking) which the CLI, web UI and jobs call.
Carrier errors come back as data (messages), never as exceptions through business code.
"""
