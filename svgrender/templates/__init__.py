"""Templates: parsed once, layers classified and measured, stored and versioned."""
