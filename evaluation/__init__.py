"""Measuring the answerer: labelled sets, fitting the answer model, grouped cross-validation."""
