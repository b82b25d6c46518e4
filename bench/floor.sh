# bench/floor.sh - sourced by the benchmark scripts: floor NAME VALUE says
# whether VALUE holds the floor of bench/floors.txt, and says so loudly when
# it does not (a benchmark run below a floor is a regression or a slower
# machine: either way the reader must see it). Never fails the script.
FLOORS=${FLOORS:-$(dirname "${BASH_SOURCE[0]}")/floors.txt}
floor() { # NAME VALUE
  local name=$1 value=$2 dir limit unit
  read -r dir limit unit < <(awk -v n="$name" '$1 == n {print $2, $3, $4}' "$FLOORS")
  if [ -z "${dir:-}" ]; then
    echo "  floor $name: not in $FLOORS"
  elif awk -v v="$value" -v l="$limit" -v d="$dir" 'BEGIN {exit !((d == "min" && v >= l) || (d == "max" && v <= l))}'; then
    echo "  floor $name: $value $unit holds ($dir $limit)"
  else
    echo "  BELOW FLOOR $name: $value $unit, the floor is $dir $limit $unit"
  fi
}
