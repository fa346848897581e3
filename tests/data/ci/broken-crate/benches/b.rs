fn main() { println!("{}", broken::f(1)); }
