package dev.tenancy;

import java.util.List;

/**
 * One page of a listing, with the total count of matching items for pagination controls.
 *
 * @param items the items on this page, in the requested order
 * @param total how many items match the query across all pages
 * @param offset how many matching items precede this page
 * @param limit the requested page size
 */
public record Page<T>(List<T> items, long total, int offset, int limit) {
    public Page {
        items = List.copyOf(items);
        if (total < 0 || offset < 0 || limit < 1) {
            throw new IllegalArgumentException(
                    "Invalid page: total=" + total + ", offset=" + offset + ", limit=" + limit);
        }
    }

    /** Whether another page follows this one. */
    public boolean hasNext() {
        return offset + items.size() < total;
    }
}
