#!/bin/bash
# The live doctor/facts tests (cluster/test-doctor) as one scenario file of the suite.
exec bash "$(dirname "$0")/../test-doctor"
