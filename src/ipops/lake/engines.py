"""Query engines over one lake: embedded DuckDB (default) or local-mode PySpark, both as Ibis backends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ipops.lake.store import STORED_TABLES, LakeStore

if TYPE_CHECKING:
    from ibis.backends import BaseBackend
    from pyspark.sql import SparkSession

REFERENCE_TABLES = ("ipc_technology", "technology_fields", "nice_classes")


def duckdb_backend(store: LakeStore) -> BaseBackend:
    """An Ibis DuckDB backend with a view per lake table."""
    return store.connect()


def local_spark_session(*, app_name: str = "ipops-lake", cores: int = 1) -> SparkSession:
    """A small local-mode SparkSession (UTC, few shuffle partitions, no UI) suited to tests and laptops."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(max(2, cores)))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )


def spark_type(data_type: pa.DataType) -> Any:
    """The Spark SQL type of a lake column type."""
    from pyspark.sql import types as st

    if pa.types.is_list(data_type):
        return st.ArrayType(spark_type(data_type.value_type))
    mapping: dict[pa.DataType, Any] = {
        pa.string(): st.StringType(),
        pa.date32(): st.DateType(),
        pa.int16(): st.ShortType(),
        pa.int32(): st.IntegerType(),
        pa.int64(): st.LongType(),
        pa.float64(): st.DoubleType(),
        pa.bool_(): st.BooleanType(),
        pa.timestamp("us", tz="UTC"): st.TimestampType(),
    }
    return mapping[data_type]


def spark_schema(schema: pa.Schema) -> Any:
    """A Spark StructType for a lake table schema."""
    from pyspark.sql import types as st

    return st.StructType([st.StructField(f.name, spark_type(f.type), nullable=True) for f in schema])


def spark_backend(store: LakeStore, *, session: SparkSession | None = None) -> BaseBackend:
    """An Ibis PySpark backend with the same table names as duckdb_backend (temporary views)."""
    import ibis

    from ipops.lake.classify import load_wipo_concordance, nice_classes_table

    spark = session or local_spark_session()
    for table, schema in STORED_TABLES.items():
        struct = spark_schema(schema)
        files = store.files(table)
        if files:
            # Only committed files, named one by one; they carry every column, so no partition discovery.
            frame = spark.read.schema(struct).parquet(*(str(p) for p in files))
        else:
            frame = spark.createDataFrame([], struct)
        frame.createOrReplaceTempView(table)
    concordance = load_wipo_concordance()
    for name, data in (
        ("ipc_technology", concordance.to_arrow()),
        ("technology_fields", concordance.fields_table()),
        ("nice_classes", nice_classes_table()),
    ):
        spark.createDataFrame(data.to_pylist(), spark_schema(data.schema)).createOrReplaceTempView(name)
    return ibis.pyspark.connect(spark)
