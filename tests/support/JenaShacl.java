// Validates many (data, shapes) pairs with Apache Jena's SHACL engine in one JVM, for the agreement tests of
// tests/test_shapes.py. Arguments: a job file whose lines are "data<TAB>shapes<TAB>report" (file paths);
// each report is written as N-Triples, or as "<report>.error" holding the error message.
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;

import org.apache.jena.graph.Graph;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;

public class JenaShacl {
    public static void main(String[] args) throws Exception {
        List<String> jobs = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8);
        for (String job : jobs) {
            if (job.isBlank()) continue;
            String[] part = job.split("\t");
            try {
                Graph data = RDFDataMgr.loadGraph(part[0]);
                Graph shapesGraph = RDFDataMgr.loadGraph(part[1]);
                Shapes shapes = Shapes.parse(shapesGraph);
                ValidationReport report = ShaclValidator.get().validate(shapes, data);
                try (OutputStream out = new FileOutputStream(part[2])) {
                    RDFDataMgr.write(out, report.getModel(), Lang.NTRIPLES);
                }
            } catch (Throwable e) {
                try (PrintStream out = new PrintStream(new FileOutputStream(part[2] + ".error"), true, "UTF-8")) {
                    out.println(e.getClass().getName() + ": " + e.getMessage());
                }
            }
        }
    }
}
