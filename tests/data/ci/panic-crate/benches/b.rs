// Lists one benchmark like Criterion, then panics while measuring it.
fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("vm/dispatch: bench");
        return;
    }
    println!("Benchmarking vm/dispatch");
    panic!("interpreter state corrupted");
}
