"""QR plates for tourist objects (issue 14): permanent short links, codes that survive a logo and
weathering (error correction H), printable plates, and the printed → installed workflow that sets
the fields the ``QR_TOURISM`` indicator reads; scans are counted per object and day, nothing more."""
