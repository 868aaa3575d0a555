// Runner of the notebook stage (.ci/notebook), the REPL's -i file: interprets the prelude -Dnotebook.prelude, then
// the code cells of the Databricks source-format notebook -Dnotebook.path in order, skipping %md cells, and exits
// non-zero at the first one that does not compile or throws (the REPL's own -i loading would report the error and go
// on). Everything goes through $intp.interpret: requests made that way see each other's definitions, while they do
// not see the definitions of the -i file itself.
{
  val prelude = scala.io.Source.fromFile(sys.props("notebook.prelude"), "UTF-8").mkString
  if ($intp.interpret(prelude) != scala.tools.nsc.interpreter.IR.Success) {
    println("[notebook] FAILED in the prelude " + sys.props("notebook.prelude"))
    sys.exit(1)
  }
  val lines = scala.io.Source.fromFile(sys.props("notebook.path"), "UTF-8").getLines().toVector
  require(lines.headOption.contains("// Databricks notebook source"),
    "not a Databricks source-format notebook: " + sys.props("notebook.path"))
  val cells = lines.drop(1).mkString("\n").split("\n// COMMAND ----------\n").toVector
  val code = cells.zipWithIndex.filter { case (c, _) =>
    c.linesIterator.exists(l => l.trim.nonEmpty && !l.startsWith("// MAGIC"))
  }
  for ((cell, index) <- code) {
    val first = cell.linesIterator.map(_.trim).find(l => l.nonEmpty && !l.startsWith("//")).getOrElse("")
    println(s"[notebook] cell ${index + 1}/${cells.size} start: $first")
    val started = System.nanoTime()
    val result = $intp.interpret(cell)
    val seconds = (System.nanoTime() - started) / 1e9
    println(f"[notebook] cell ${index + 1}/${cells.size} end: $result in $seconds%.1f s")
    if (result != scala.tools.nsc.interpreter.IR.Success) {
      println(s"[notebook] FAILED at cell ${index + 1}")
      sys.exit(1)
    }
  }
  println(s"[notebook] completed: ${code.size} code cells of ${cells.size}")
  spark.stop()
  sys.exit(0)
}
