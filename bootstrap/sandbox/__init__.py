"""Local emulators of the clouds, the registries and the akka CLI: for tests, `make demo` and `regboot sandbox`."""
