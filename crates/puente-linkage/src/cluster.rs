//! Clustering scored pairs into entities.

use serde::{Deserialize, Serialize};

/// How pairs above the threshold become clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClusterMethod {
    /// Connected components: any chain of links joins records.
    #[default]
    Connected,
    /// Center clustering: links are taken strongest first; a record becomes the center of a
    /// cluster or joins an existing center directly. Every member is linked to its center, so a
    /// chain A–B–C with A and C unrelated cannot pull A and C together through B.
    Center,
}

/// Assigns each of `len` records a cluster number (0-based, in order of first appearance) from
/// `(a, b, probability)` links at or above `threshold`.
pub fn cluster(
    len: usize,
    links: &[(u32, u32, f64)],
    threshold: f64,
    method: ClusterMethod,
) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..len as u32).collect();
    match method {
        ClusterMethod::Connected => {
            fn find(parent: &mut [u32], mut x: u32) -> u32 {
                while parent[x as usize] != x {
                    parent[x as usize] = parent[parent[x as usize] as usize];
                    x = parent[x as usize];
                }
                x
            }
            for (a, b, p) in links {
                if *p >= threshold {
                    let (ra, rb) = (find(&mut parent, *a), find(&mut parent, *b));
                    if ra != rb {
                        parent[ra.max(rb) as usize] = ra.min(rb);
                    }
                }
            }
            for x in 0..len as u32 {
                let root = find(&mut parent, x);
                parent[x as usize] = root;
            }
        }
        ClusterMethod::Center => {
            let mut order: Vec<&(u32, u32, f64)> =
                links.iter().filter(|l| l.2 >= threshold).collect();
            order.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
            // 0: unassigned, 1: center, 2: member.
            let mut role = vec![0u8; len];
            for (a, b, _) in order {
                let (a, b) = (*a as usize, *b as usize);
                match (role[a], role[b]) {
                    (0, 0) => {
                        role[a] = 1;
                        role[b] = 2;
                        parent[b] = a as u32;
                    }
                    (1, 0) => {
                        role[b] = 2;
                        parent[b] = a as u32;
                    }
                    (0, 1) => {
                        role[a] = 2;
                        parent[a] = b as u32;
                    }
                    _ => {}
                }
            }
        }
    }
    // Renumber in order of first appearance.
    let mut number = vec![u32::MAX; len];
    let mut next = 0;
    let mut out = Vec::with_capacity(len);
    for x in 0..len {
        let root = parent[x] as usize;
        if number[root] == u32::MAX {
            number[root] = next;
            next += 1;
        }
        out.push(number[root]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connected_components_follow_chains_and_center_does_not() {
        // 0-1 strong, 1-2 weaker: a chain. 3 alone. 4-5.
        let links = [(0, 1, 0.99), (1, 2, 0.8), (4, 5, 0.7), (2, 3, 0.2)];
        assert_eq!(
            cluster(6, &links, 0.5, ClusterMethod::Connected),
            [0, 0, 0, 1, 2, 2]
        );
        assert_eq!(
            cluster(6, &links, 0.5, ClusterMethod::Center),
            [0, 0, 1, 2, 3, 3]
        );
        assert_eq!(
            cluster(0, &[], 0.5, ClusterMethod::Connected),
            Vec::<u32>::new()
        );
    }
}
