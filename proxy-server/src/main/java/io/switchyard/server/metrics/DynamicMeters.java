package io.switchyard.server.metrics;

/**
 * Meters whose label values come and go at run time (servers loaded or removed by the admin,
 * error codes first seen): brought up to date just before each scrape. Called by
 * {@link SwitchyardMetrics} under its lock, one refresh at a time.
 */
interface DynamicMeters {
    /** Registers meters for label values that appeared and removes those of values that are gone. */
    void refresh();
}
