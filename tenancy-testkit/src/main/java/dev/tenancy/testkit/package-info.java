/**
 * Contract suites every implementation of a Tenancy store runs (extend the abstract class, supply
 * the implementation in a few lines), and fixtures: a fresh H2 or PostgreSQL database per test
 * class, and a clock tests move by hand.
 */
package dev.tenancy.testkit;
