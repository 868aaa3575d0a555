/**
 * Where the jobs' images come from and go to: {@link org.diffusionlabs.jobs.data.DataSource} (the {@code data.*}
 * keys: embedded MNIST, IDX, image folders, Parquet), the Parquet image reader and its column encodings (PNG/JPEG
 * bytes, Spark image structs, lists of numbers), PNG output, and {@link org.diffusionlabs.jobs.data.HadoopFiles},
 * through which every user-given location is read and written.
 */
package org.diffusionlabs.jobs.data;
