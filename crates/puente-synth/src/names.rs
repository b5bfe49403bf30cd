//! Names as Latin American records carry them. Weighted lists: the weight is a rough relative
//! frequency in Guatemala, Honduras, El Salvador and Mexico, so common names ("García", "María") are
//! common in the data and rare ones ("Xicará") are rare, as term-frequency adjustment expects.
//! Synthetic use only: these are common names, not people.

/// Female given names, with weights. Compound names ("María José") are drawn by combining two.
pub static FEMALE_GIVEN_NAMES: &[(&str, u32)] = &[
    ("María", 120), ("Ana", 40), ("Rosa", 30), ("Guadalupe", 25), ("Sofía", 22), ("Valeria", 20),
    ("Camila", 20), ("Daniela", 20), ("Fernanda", 18), ("Gabriela", 18), ("Andrea", 18), ("Karla", 16),
    ("Yesenia", 14), ("Brenda", 14), ("Sandra", 14), ("Elena", 12), ("Lucía", 14), ("Isabel", 12),
    ("Carmen", 16), ("Dolores", 8), ("Concepción", 6), ("Rosario", 8), ("Mercedes", 8), ("Esperanza", 8),
    ("Jimena", 10), ("Paola", 12), ("Alejandra", 14), ("Patricia", 12), ("Marisol", 10), ("Wendy", 10),
    ("Heidy", 8), ("Ingrid", 8), ("Yadira", 6), ("Dayana", 10), ("Nayeli", 6), ("Itzel", 6),
    ("Xiomara", 4), ("Maribel", 8), ("Leticia", 8), ("Juana", 10), ("Josefina", 8), ("Marta", 8),
    ("Verónica", 10), ("Claudia", 10), ("Mónica", 8), ("Irma", 6), ("Glenda", 4), ("Keyla", 4),
    ("Ixchel", 2), ("Nohemí", 4), ("Dulce", 6), ("Abigail", 8), ("Génesis", 8), ("Nicole", 8),
];

/// Male given names, with weights.
pub static MALE_GIVEN_NAMES: &[(&str, u32)] = &[
    ("José", 110), ("Juan", 80), ("Luis", 40), ("Carlos", 40), ("Jorge", 25), ("Miguel", 25),
    ("Francisco", 25), ("Jesús", 20), ("Antonio", 22), ("Alberto", 12), ("Roberto", 14), ("Eduardo", 12),
    ("Guillermo", 10), ("Ignacio", 6), ("Manuel", 18), ("Pedro", 16), ("Mario", 14), ("Óscar", 12),
    ("Héctor", 10), ("Víctor", 12), ("Ángel", 14), ("Santiago", 12), ("Mateo", 10), ("Diego", 14),
    ("Kevin", 14), ("Brayan", 10), ("Erick", 10), ("Wilmer", 8), ("Edwin", 10), ("Marvin", 8),
    ("Nelson", 8), ("Selvin", 4), ("Elmer", 6), ("Byron", 6), ("Walter", 8), ("Fredy", 6),
    ("Rigoberto", 4), ("Ramón", 8), ("Rafael", 10), ("Fernando", 12), ("Ricardo", 12), ("Andrés", 10),
    ("Alejandro", 14), ("David", 14), ("Daniel", 14), ("Josué", 8), ("Ismael", 6), ("Gerson", 4),
    ("Jonathan", 8), ("Cristian", 10), ("Axel", 6), ("Tomás", 6), ("Gustavo", 6), ("Julio", 8),
];

/// Surnames, with weights. Compound surnames with particles are single entries.
pub static SURNAMES: &[(&str, u32)] = &[
    ("García", 100), ("Hernández", 95), ("López", 90), ("Martínez", 80), ("González", 75),
    ("Rodríguez", 70), ("Pérez", 65), ("Sánchez", 55), ("Ramírez", 55), ("Flores", 50), ("Cruz", 40),
    ("Morales", 40), ("Gómez", 38), ("Reyes", 36), ("Díaz", 34), ("Castillo", 30), ("Ortiz", 28),
    ("Mejía", 28), ("Aguilar", 26), ("Vásquez", 26), ("Chávez", 24), ("Ramos", 22), ("Mendoza", 22),
    ("Torres", 22), ("Rivera", 22), ("Jiménez", 20), ("Ruiz", 20), ("Álvarez", 18), ("Romero", 18),
    ("Juárez", 18), ("Estrada", 16), ("Méndez", 16), ("Santos", 16), ("Orellana", 12), ("Zelaya", 12),
    ("Argueta", 10), ("Escobar", 12), ("Velásquez", 14), ("Villatoro", 6), ("Guzmán", 12), ("Castro", 14),
    ("Barrios", 10), ("Figueroa", 10), ("Sosa", 10), ("Fuentes", 10), ("Molina", 10), ("Ávila", 10),
    ("Quiñónez", 6), ("Pineda", 10), ("Ayala", 10), ("Cabrera", 8), ("Zúñiga", 8), ("Bautista", 8),
    ("De la Cruz", 8), ("Del Cid", 5), ("De León", 8), ("De Jesús", 4), ("Del Valle", 4),
    ("Xicará", 1), ("Tzul", 1), ("Cojtí", 1), ("Choc", 2), ("Caal", 2), ("Tun", 1), ("Ajú", 1),
    ("Yax", 1), ("Coc", 1), ("Pop", 1), ("Chután", 1), ("Quispe", 1), ("Itzep", 1), ("Ixcoy", 1),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_have_no_duplicates_and_positive_weights() {
        for list in [FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES, SURNAMES] {
            let mut names: Vec<_> = list.iter().map(|(name, _)| *name).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len());
            assert!(list.iter().all(|(_, weight)| *weight > 0));
        }
    }
}
