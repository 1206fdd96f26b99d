// After an upload or a paste: what the table reader made of the table
// (separator, decimal commas, encoding, header), each feature column's
// range and distinct values, constant columns flagged, and the label's
// classes with their counts. Text only: the table comes from a stranger.

function cell(tag, text) {
  return Object.assign(document.createElement(tag), { textContent: text });
}

/** Fills `section` from the dataset's `table` summary (hidden when none). */
export function showTableSummary(section, table) {
  section.replaceChildren();
  section.hidden = !table;
  if (!table) return;
  section.append(cell('h2', 'Your table'));
  section.append(cell('p', `${table.rows} rows, read as ${table.read_as}${table.header ? ', with a header row' : ', no header row'}.`));
  const grid = document.createElement('table');
  const head = document.createElement('tr');
  for (const name of ['column', 'min', 'max', 'distinct']) head.append(cell('th', name));
  grid.append(head);
  for (const column of table.columns) {
    const row = document.createElement('tr');
    const short = (v) => String(Number(v.toPrecision(4)));
    row.append(cell('td', column.name), cell('td', short(column.min)), cell('td', short(column.max)), cell('td', String(column.distinct)));
    if (column.constant) row.classList.add('constant');
    grid.append(row);
  }
  section.append(grid);
  const constant = table.columns.filter((c) => c.constant).map((c) => c.name);
  if (constant.length) section.append(cell('p', `Constant: ${constant.join(', ')}. A column with one value tells the label nothing.`));
  section.append(cell('p', `Label “${table.label}”: ${table.classes.map(([name, count]) => `${name} (${count})`).join(', ')}.`));
}
