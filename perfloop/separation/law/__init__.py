"""Pure jurisdiction packs for the separation module: rules, eligibility and exit money.

Nothing here touches the database: packs take plain data (dataclasses, mappings, Decimal)
and return results that carry their working, so they can be property-tested and
benchmarked without Django. ``registry.get_pack("cn")`` is the entry point.
"""
