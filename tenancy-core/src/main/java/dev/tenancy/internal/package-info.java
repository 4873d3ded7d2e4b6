/** Helpers shared by Tenancy's modules: JSON, JDBC and control-plane schema installation. Not API. */
package dev.tenancy.internal;
