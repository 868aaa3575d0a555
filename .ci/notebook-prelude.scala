// Prelude of the notebook stage (.ci/notebook), interpreted before the first cell: what a Databricks notebook gets
// for free, for a headless run in the Spark REPL. `spark` and `sc` come from the REPL itself. Outputs go under
// -Dnotebook.out:
//   display.txt   every display(df), as text tables
//   display.html  every displayHTML(html), one per line
//   dbutils.txt   every dbutils.fs call
// -Dnotebook.widgets="name=value,..." overrides widget defaults (the size substitutions of the CI run).

val notebookOut = java.nio.file.Paths.get(sys.props("notebook.out"))

def notebookAppend(file: String, text: String): Unit = {
  java.nio.file.Files.write(notebookOut.resolve(file), (text + "\n").getBytes("UTF-8"),
    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)
}

def display(df: org.apache.spark.sql.Dataset[_]): Unit = {
  val buffer = new java.io.ByteArrayOutputStream()
  Console.withOut(buffer) { df.toDF().show(20, 40) }
  val table = buffer.toString("UTF-8")
  notebookAppend("display.txt", table)
  print(table)
}

def displayHTML(html: String): Unit = {
  notebookAppend("display.html", html.replace("\n", " "))
  println(s"[displayHTML: ${html.length} characters]")
}

object dbutils {
  object widgets {
    private val overrides: Map[String, String] = sys.props.getOrElse("notebook.widgets", "").split(",").toSeq
      .filter(_.contains("=")).map { kv => val i = kv.indexOf('='); kv.take(i).trim -> kv.drop(i + 1).trim }.toMap
    private val values = scala.collection.mutable.LinkedHashMap[String, String]()

    def text(name: String, defaultValue: String, label: String): Unit =
      values(name) = overrides.getOrElse(name, defaultValue)

    def get(name: String): String =
      values.getOrElse(name, throw new IllegalArgumentException(s"No input widget named $name is defined"))
  }

  object fs {
    private def fsOf(p: org.apache.hadoop.fs.Path) = p.getFileSystem(spark.sparkContext.hadoopConfiguration)

    def mkdirs(dir: String): Boolean = {
      notebookAppend("dbutils.txt", s"mkdirs $dir")
      val p = new org.apache.hadoop.fs.Path(dir)
      fsOf(p).mkdirs(p)
    }

    def rm(dir: String, recurse: Boolean = false): Boolean = {
      notebookAppend("dbutils.txt", s"rm $dir recurse=$recurse")
      val p = new org.apache.hadoop.fs.Path(dir)
      fsOf(p).delete(p, recurse)
    }
  }
}
