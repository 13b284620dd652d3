package org.codeengine.api.spi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Rows of float32 vectors off the Java heap, laid out for the bulk {@link VectorKernels}: the segment starts on a
 * 64-byte boundary and every row is padded to a multiple of {@value #ROW_MULTIPLE} floats (64 bytes), so every row is
 * 64-byte aligned and a whole batch goes to a kernel in one call. Padding floats are zero and no kernel reads them.
 *
 * <p>
 * The arena that allocates the store owns its memory: {@link Arena#global()} for the life of the process,
 * {@link Arena#ofAuto()} until the store is unreachable, {@link Arena#ofConfined()} to free it at a known point (from
 * one thread only). A shared arena works too but costs about 8 ns of liveness checks per kernel call. Reading is
 * thread-safe; writing a row while a kernel reads it is not.
 */
public final class VectorStore {
    /** The alignment of the segment and of every row, in bytes. */
    public static final int ALIGNMENT = 64;
    /** Rows are padded to a multiple of this many floats. */
    public static final int ROW_MULTIPLE = 16;

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final MemorySegment segment;
    private final int rows;
    private final int dims;
    private final int stride;

    private VectorStore(MemorySegment segment, int rows, int dims, int stride) {
        this.segment = segment;
        this.rows = rows;
        this.dims = dims;
        this.stride = stride;
    }

    /**
     * {@return a store of {@code rows} rows, all zeros}
     *
     * @param arena owns the memory, see the class comment
     * @param rows the number of rows; 0 or more
     * @param dims the floats per row; at least 1
     * @throws IllegalArgumentException if {@code rows} is negative, {@code dims} below 1, or the store would not fit
     *         in {@code Long.MAX_VALUE} bytes
     * @throws NullPointerException if {@code arena} is null
     */
    public static VectorStore allocate(Arena arena, int rows, int dims) {
        java.util.Objects.requireNonNull(arena, "arena must not be null");
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be 0 or more but was " + rows);
        }
        if (dims < 1) {
            throw new IllegalArgumentException("dims must be at least 1 but was " + dims);
        }
        int stride = (int) (((long) dims + ROW_MULTIPLE - 1) / ROW_MULTIPLE * ROW_MULTIPLE);
        long bytes = Math.multiplyExact(Math.multiplyExact((long) rows, (long) stride), (long) Float.BYTES);
        return new VectorStore(arena.allocate(Math.max(bytes, ALIGNMENT), ALIGNMENT).asSlice(0, bytes), rows, dims,
                stride);
    }

    /**
     * {@return a store of zeros in an automatic arena: freed once the store is unreachable}
     *
     * @param rows the number of rows; 0 or more
     * @param dims the floats per row; at least 1
     * @throws IllegalArgumentException as {@link #allocate(Arena, int, int)}
     */
    public static VectorStore allocate(int rows, int dims) {
        return allocate(Arena.ofAuto(), rows, dims);
    }

    /** {@return the number of rows} */
    public int rows() {
        return rows;
    }

    /** {@return the floats per row, without padding} */
    public int dims() {
        return dims;
    }

    /** {@return the distance between the starts of two rows, in floats: {@code dims} rounded up to 16} */
    public int stride() {
        return stride;
    }

    /** {@return all rows with their padding: {@code rows * stride} floats} */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * {@return the row's {@code dims} floats, a view of the store}
     *
     * @param row which row, from 0
     * @throws IndexOutOfBoundsException if {@code row} is outside 0 to {@code rows - 1}
     */
    public MemorySegment row(int row) {
        java.util.Objects.checkIndex(row, rows);
        return segment.asSlice((long) row * stride * Float.BYTES, (long) dims * Float.BYTES);
    }

    /**
     * {@return this store}
     *
     * @param row which row, from 0
     * @param values the row's new floats; exactly {@code dims} of them
     * @throws IndexOutOfBoundsException if {@code row} is outside 0 to {@code rows - 1}
     * @throws IllegalArgumentException if {@code values} does not hold exactly {@code dims} floats
     */
    public VectorStore set(int row, float[] values) {
        if (values.length != dims) {
            throw new IllegalArgumentException("values must hold dims = " + dims + " floats but holds "
                    + values.length);
        }
        MemorySegment.copy(values, 0, row(row), FLOAT, 0, dims);
        return this;
    }

    /**
     * {@return a copy of the row's {@code dims} floats}
     *
     * @param row which row, from 0
     * @throws IndexOutOfBoundsException if {@code row} is outside 0 to {@code rows - 1}
     */
    public float[] get(int row) {
        return row(row).toArray(ValueLayout.JAVA_FLOAT);
    }

    /**
     * {@return a store that shares this one's memory and holds rows {@code fromRow} to {@code toRow - 1}}
     *
     * @param fromRow the first row of the view, inclusive
     * @param toRow the end of the view, exclusive
     * @throws IndexOutOfBoundsException unless {@code 0 <= fromRow <= toRow <= rows}
     */
    public VectorStore slice(int fromRow, int toRow) {
        java.util.Objects.checkFromToIndex(fromRow, toRow, rows);
        long rowBytes = (long) stride * Float.BYTES;
        return new VectorStore(segment.asSlice(fromRow * rowBytes, (toRow - fromRow) * rowBytes), toRow - fromRow,
                dims, stride);
    }

    @Override
    public String toString() {
        return "VectorStore[rows=" + rows + ", dims=" + dims + ", stride=" + stride + "]";
    }
}
