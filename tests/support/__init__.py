"""Support code for the tests: real servers started on 127.0.0.1 and stopped afterwards."""
