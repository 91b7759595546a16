"""Nothing lost, provably: `verify` replays every item state from its reviews; `backup` and `restore`."""
