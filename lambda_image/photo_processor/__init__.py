"""The photo processor: a pure image pipeline and the thin Lambda handler around it."""
