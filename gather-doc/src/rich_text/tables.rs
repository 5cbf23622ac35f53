//! Tables as Tiptap stores them: `table` > `tableRow` > `tableHeader` | `tableCell` (with
//! `colspan` and `rowspan`) > paragraphs. Inserting, adding and removing rows and columns, and
//! finding the next cell for Tab. A column is a cell index within a row (cells spanning columns
//! are kept whole; they count as one).

use yrs::types::xml::XmlOut;
use yrs::{Any, ReadTxn, TransactionMut, XmlElementRef, XmlFragment, XmlFragmentRef};

use super::nodes::{remove, write, Snap};
use super::outline::{entry_at, outline, same, Anc, Container, Parent};
use super::structure::place_for_block;
use super::Pos;

fn cell(header: bool) -> Snap {
    Snap::new(if header { "tableHeader" } else { "tableCell" })
        .with_attr("colspan", Any::Number(1.into()))
        .with_attr("rowspan", Any::Number(1.into()))
        .child(Snap::paragraph())
}

fn row(cells: u32, header: bool) -> Snap {
    (0..cells).fold(Snap::new("tableRow"), |row, _| row.child(cell(header)))
}

/// Inserts a table of `rows` × `cols` (the first row a header row) at the caret's block, with
/// a paragraph after it. Not inside another table. Returns the caret in the first cell.
pub fn insert_table(
    txn: &mut TransactionMut,
    body: &XmlFragmentRef,
    pos: Pos,
    rows: u32,
    cols: u32,
) -> Pos {
    if let Some((_, entry)) = entry_at(txn, body, pos.block) {
        if entry.cell().is_some() {
            return pos;
        }
    }
    let (rows, cols) = (rows.clamp(1, 100), cols.clamp(1, 30));
    let table = (0..rows).fold(Snap::new("table"), |table, r| {
        table.child(row(cols, r == 0))
    });
    let (block, at, parent) = place_for_block(txn, body, pos);
    write(txn, &parent, at, &table);
    let next_is_paragraph = matches!(
        parent.get(txn, at + 1),
        Some(XmlOut::Element(e)) if e.tag().as_ref() == "paragraph"
    );
    if !next_is_paragraph {
        write(txn, &parent, at + 1, &Snap::paragraph());
    }
    Pos::new(block, 0)
}

/// The table, row and cell holding block `block`.
struct Place {
    table: Anc,
    row: Anc,
    cell: Anc,
}

fn place(txn: &impl ReadTxn, body: &XmlFragmentRef, block: u32) -> Option<Place> {
    let (_, entry) = entry_at(txn, body, block)?;
    let (depth, _) = entry.innermost(|c| matches!(c, Container::TableCell { .. }))?;
    let cell = entry.ancestors.get(depth)?.clone();
    let row = entry.ancestors.get(depth.checked_sub(1)?)?.clone();
    let table = entry.ancestors.get(depth.checked_sub(2)?)?.clone();
    (row.container == Container::TableRow && table.container == Container::Table).then_some(Place {
        table,
        row,
        cell,
    })
}

/// The first block inside `el`, by document order.
fn first_block_in(txn: &impl ReadTxn, body: &XmlFragmentRef, el: &XmlElementRef) -> Option<u32> {
    outline(txn, body)
        .iter()
        .position(|e| e.ancestors.iter().any(|a| same(&a.el, el)))
        .map(|i| i as u32)
}

fn rows_of(txn: &impl ReadTxn, table: &XmlElementRef) -> Vec<XmlElementRef> {
    table
        .children(txn)
        .filter_map(|c| match c {
            XmlOut::Element(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn is_header_row(txn: &impl ReadTxn, row: &XmlElementRef) -> bool {
    row.children(txn)
        .all(|c| matches!(c, XmlOut::Element(e) if e.tag().as_ref() == "tableHeader"))
}

/// Adds a row below (or above) the caret's row; returns the caret in its first cell.
pub fn add_row(txn: &mut TransactionMut, body: &XmlFragmentRef, block: u32, below: bool) -> Pos {
    let Some(p) = place(txn, body, block) else {
        return Pos::new(block, 0);
    };
    let table = Parent::Element(p.table.el.clone());
    let Some(at) = table.index_of(txn, &p.row.el) else {
        return Pos::new(block, 0);
    };
    let cells = p.row.el.len(txn).max(1);
    let new = write(
        txn,
        &table,
        if below { at + 1 } else { at },
        &row(cells, false),
    );
    Pos::new(first_block_in(txn, body, &new).unwrap_or(block), 0)
}

/// Removes the caret's row (the whole table if it was the only one).
pub fn delete_row(txn: &mut TransactionMut, body: &XmlFragmentRef, block: u32) -> Pos {
    let Some(p) = place(txn, body, block) else {
        return Pos::new(block, 0);
    };
    if p.table.el.len(txn) <= 1 {
        return delete_table(txn, body, block);
    }
    let first = first_block_in(txn, body, &p.row.el).unwrap_or(block);
    remove(txn, &Parent::Element(p.table.el.clone()), &p.row.el);
    Pos::new(first.saturating_sub(1), 0)
}

/// Adds a column right (or left) of the caret's cell; returns the caret in the new cell of
/// the caret's row.
pub fn add_column(txn: &mut TransactionMut, body: &XmlFragmentRef, block: u32, right: bool) -> Pos {
    let Some(p) = place(txn, body, block) else {
        return Pos::new(block, 0);
    };
    let row_parent = Parent::Element(p.row.el.clone());
    let Some(col) = row_parent.index_of(txn, &p.cell.el) else {
        return Pos::new(block, 0);
    };
    let col = if right { col + 1 } else { col };
    let mut caret_cell = None;
    for row_el in rows_of(txn, &p.table.el) {
        let header = is_header_row(txn, &row_el);
        let row_parent = Parent::Element(row_el.clone());
        let at = col.min(row_parent.len(txn));
        let new = write(txn, &row_parent, at, &cell(header));
        if same(&row_el, &p.row.el) {
            caret_cell = Some(new);
        }
    }
    let caret = caret_cell.and_then(|c| first_block_in(txn, body, &c));
    Pos::new(caret.unwrap_or(block), 0)
}

/// Removes the caret's column (the whole table if it was the only one).
pub fn delete_column(txn: &mut TransactionMut, body: &XmlFragmentRef, block: u32) -> Pos {
    let Some(p) = place(txn, body, block) else {
        return Pos::new(block, 0);
    };
    if p.row.el.len(txn) <= 1 {
        return delete_table(txn, body, block);
    }
    let Some(col) = Parent::Element(p.row.el.clone()).index_of(txn, &p.cell.el) else {
        return Pos::new(block, 0);
    };
    let first = first_block_in(txn, body, &p.table.el).unwrap_or(block);
    for row_el in rows_of(txn, &p.table.el) {
        let row_parent = Parent::Element(row_el);
        if row_parent.len(txn) > 1 {
            row_parent.remove(txn, col.min(row_parent.len(txn) - 1), 1);
        }
    }
    Pos::new(first, 0)
}

/// Removes the table holding the caret; the caret goes to the block that followed it.
pub fn delete_table(txn: &mut TransactionMut, body: &XmlFragmentRef, block: u32) -> Pos {
    let Some(p) = place(txn, body, block) else {
        return Pos::new(block, 0);
    };
    let first = first_block_in(txn, body, &p.table.el).unwrap_or(block);
    remove(txn, &p.table.parent, &p.table.el);
    if body.len(txn) == 0 {
        write(txn, &Parent::Body(body.clone()), 0, &Snap::paragraph());
    }
    Pos::new(first, 0)
}

/// Where Tab (or Shift+Tab) goes from block `block`: the first block of the next (previous)
/// cell. `None` outside tables, or past the last (first) cell.
pub fn next_cell(txn: &impl ReadTxn, body: &XmlFragmentRef, block: u32, back: bool) -> Option<u32> {
    let entries = outline(txn, body);
    let entry = entries.get(block as usize)?;
    let cell = entry.cell()?;
    let p = place(txn, body, block)?;
    let in_table = |i: usize| {
        entries[i]
            .ancestors
            .iter()
            .any(|a| same(&a.el, &p.table.el))
    };
    let cell_of = |i: usize| entries[i].cell().map(|c| c.el.clone());
    if back {
        // The first block of the previous cell.
        let mut i = block as usize;
        while i > 0 && cell_of(i - 1).is_some_and(|c| same(&c, &cell.el)) {
            i -= 1;
        }
        if i == 0 || !in_table(i - 1) {
            return None;
        }
        let prev = cell_of(i - 1)?;
        let mut j = i - 1;
        while j > 0 && cell_of(j - 1).is_some_and(|c| same(&c, &prev)) {
            j -= 1;
        }
        Some(j as u32)
    } else {
        let mut i = block as usize + 1;
        while i < entries.len() && cell_of(i).is_some_and(|c| same(&c, &cell.el)) {
            i += 1;
        }
        (i < entries.len() && in_table(i)).then_some(i as u32)
    }
}
